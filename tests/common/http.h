#ifndef VMQ_TESTS_COMMON_HTTP_H_
#define VMQ_TESTS_COMMON_HTTP_H_

#include <map>
#include <string>

namespace vmq::testing {

struct HttpResponse {
  int status = 0;  // 0 when the request failed
  std::string body;
  std::map<std::string, std::string> headers;
};

HttpResponse HttpGet(int port, const std::string& path,
                     const std::map<std::string, std::string>& headers = {});
HttpResponse HttpPost(int port, const std::string& path);

// Value of the sample with exactly this name and label set (rendered as in the page, e.g.
// `vmq_target_up{target="vmq-1"}`), or nullopt-like NaN when absent.
double SampleValue(const std::string& page, const std::string& series);
bool HasSeriesWithLabel(const std::string& page, const std::string& metric,
                        const std::string& label_pair);

// Port the OS would give now on 127.0.0.1 (bind to 0 and release).
int FreePort();

}  // namespace vmq::testing

#endif  // VMQ_TESTS_COMMON_HTTP_H_
