// The word count topology: lines from `text-lines` are split into lower-case words, counted
// per word in the store `counts`, and every new count goes to `word-counts` (key: the word;
// value: int64 in Kafka's LongSerializer bytes).
#pragma once

#include <string>
#include <vector>

#include "streams/topology/topology.h"

namespace rill::examples {

inline constexpr const char* kTextLinesTopic = "text-lines";
inline constexpr const char* kWordCountsTopic = "word-counts";
inline constexpr const char* kCountsStore = "counts";

// Lower-cased runs of letters, digits and apostrophes.
std::vector<std::string> SplitWords(const std::string& line);

streams::Topology BuildWordCountTopology();

}  // namespace rill::examples
