// StreamsBuilder::build(): finishes the topology the DSL grew.
#include "streams/dsl/streams_builder.h"

namespace rill::streams {

Topology StreamsBuilder::build() {
  absl::Status status = state_->topology.Finish();
  if (!status.ok()) throw StreamsException("invalid topology: " + std::string(status.message()));
  Topology out = std::move(state_->topology);
  state_ = std::make_shared<internal::BuilderState>();
  return out;
}

}  // namespace rill::streams
