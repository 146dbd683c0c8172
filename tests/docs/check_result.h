#ifndef VMQ_TESTS_DOCS_CHECK_RESULT_H_
#define VMQ_TESTS_DOCS_CHECK_RESULT_H_

// What every block check returns: one message per problem found, empty when the block passed.
// The caller puts the block's FILE:LINE in front.

#include <string>
#include <vector>

namespace vmq::docs {

using Problems = std::vector<std::string>;

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_CHECK_RESULT_H_
