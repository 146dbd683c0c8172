#ifndef VMQ_SIM_JSON_H_
#define VMQ_SIM_JSON_H_

#include <string>
#include <string_view>

namespace vmq::sim {

// `text` as a JSON string literal, quotes included.
std::string JsonString(std::string_view text);

// {"error":"<message>"}
std::string JsonError(std::string_view message);

}  // namespace vmq::sim

#endif  // VMQ_SIM_JSON_H_
