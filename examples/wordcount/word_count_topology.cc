// The word count in Rill's DSL (the code the README shows).
#include "examples/wordcount/word_count_topology.h"

#include <cctype>

#include "streams/dsl/streams_builder.h"

namespace rill::examples {

std::vector<std::string> SplitWords(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

streams::Topology BuildWordCountTopology() {
  using namespace rill::streams;
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(kTextLinesTopic)
      .flatMapValues([](const std::string& line) { return SplitWords(line); })
      .groupBy([](const std::string&, const std::string& word) { return word; })
      .count(Materialized<>::as(kCountsStore))
      .toStream()
      .to(kWordCountsTopic);
  return builder.build();
}

}  // namespace rill::examples
