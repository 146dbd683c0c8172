#ifndef VMQ_TESTS_COMMON_CERTIFICATE_H_
#define VMQ_TESTS_COMMON_CERTIFICATE_H_

#include <string>

namespace vmq::testing {

// Writes a self-signed certificate (EC P-256, valid two days, CN=vmq-test) for
// `subject_alt_name` and its key, with the openssl command line. A client that trusts the
// certificate as its CA then accepts the server. Returns "" on success, else openssl's output.
std::string MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                      const std::string& subject_alt_name = "IP:127.0.0.1");

}  // namespace vmq::testing

#endif  // VMQ_TESTS_COMMON_CERTIFICATE_H_
