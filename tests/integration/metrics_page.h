#ifndef VMQ_TESTS_INTEGRATION_METRICS_PAGE_H_
#define VMQ_TESTS_INTEGRATION_METRICS_PAGE_H_

#include <map>
#include <optional>
#include <string>

namespace vmq::testing {

// Value of the first sample of `metric` in a text-format page whose labels include every pair
// of `labels`, whatever their order and whatever other labels it has; nullopt when none.
std::optional<double> FindSample(const std::string& page, const std::string& metric,
                                 const std::map<std::string, std::string>& labels);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_METRICS_PAGE_H_
