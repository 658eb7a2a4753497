// Purpose: the one list of the figures of a counts message after "frames"
// (kCountsFields: one row a figure, in message order, with its JSON name,
// what the disclosure policy does with it and how it is taken from the
// window). The encoder (counts_json.cc) writes the message from it, and the
// disclosure policy (disclosure.cc) takes its counts and the names it may
// hide from it, so a new count of people is one row here (and a row of
// kSumRelations if it is a part of a sum).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "analytics/window_counter.h"

namespace footfall::transport {

// A figure as the message carries it: null, a count, a signed whole number,
// a number with decimals, or a time (RFC 3339 text).
using FigureValue = std::variant<std::nullptr_t, std::uint64_t, std::int64_t, double, std::string>;

enum class FieldKind {
  kCount,   // a count of devices or people: hidden when 1..k-1, a cell of the sums
  kBeside,  // a figure beside the counts, hidden with the counts it would give away
  kAlways,  // published as it is (the key epoch's start)
};

struct CountsField {
  const char* name;  // "devices.unique" (object.key), or a top-level key ("visitors")
  FieldKind kind;
  // Its value in `report`; a kCount is always a std::uint64_t.
  FigureValue (*value)(const analytics::WindowReport& report);
};

// In message order.
extern const std::vector<CountsField> kCountsFields;

// The count of a kCount field.
std::uint64_t CountOf(const CountsField& field, const analytics::WindowReport& report);

}  // namespace footfall::transport
