#ifndef VMQ_TEXTFORMAT_COMMENT_LINE_H_
#define VMQ_TEXTFORMAT_COMMENT_LINE_H_

#include <optional>
#include <string>
#include <string_view>

#include "textformat/line_failure.h"
#include "textformat/page_bits.h"
#include "textformat/parser.h"

namespace vmq::textformat::detail {

// Parses a line starting with '#'. `# HELP name text` and `# TYPE name type` go to the
// handler; any other comment is ignored. `scratch` receives HELP text that needs unescaping
// (only `\\` and `\n` are escapes there; any other backslash is kept as written, since a
// slightly odd help text is no reason to drop the line). Without `has_backslash` (ScanLine's
// finding) the text is handed out as it is. `padded` as in scan.h.
std::optional<LineFailure> ParseCommentLine(std::string_view line, bool has_backslash, bool padded,
                                            Handler& handler, std::string& scratch);

// The same for a line [begin, end) of bits.page() as exporters write it: `# HELP name text`
// or `# TYPE name type` with single blanks, a name without ':', no rare byte in the line (the
// caller's check) and the whole line in the loaded chunk. Sends what ParseCommentLine would
// and returns true; returns false, having sent nothing, on anything else, which the caller
// leaves to ParseCommentLine. Defined in page_bits_readers.h, so that the page loop inlines it.
inline bool ReadsCanonicalComment(const PageBits& bits, size_t begin, size_t end, Handler& handler);

// The type a TYPE line names (`counter`, ...), exactly as written; nullopt for any other word.
std::optional<MetricType> TypeFromName(std::string_view name);

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_COMMENT_LINE_H_
