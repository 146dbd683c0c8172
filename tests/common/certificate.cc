#include "common/certificate.h"

#include "common/process.h"

namespace vmq::testing {

std::string MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                      const std::string& subject_alt_name) {
  std::string output;
  const int status = RunCommand(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-days", "2", "-subj", "/CN=vmq-test", "-addext",
       "subjectAltName=" + subject_alt_name, "-keyout", key_path, "-out", cert_path},
      &output);
  return status == 0 ? "" : output.empty() ? "openssl req failed" : output;
}

}  // namespace vmq::testing
