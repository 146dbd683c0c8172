#include "evaluate/values.h"

namespace vmq::evaluate {

Number& Number::operator+=(const Number& other) {
  if (is_count_ && other.is_count_) {
    count_ += other.count_;
  } else {
    real_ = AsDouble() + other.AsDouble();
    count_ = 0;
    is_count_ = false;
  }
  return *this;
}

}  // namespace vmq::evaluate
