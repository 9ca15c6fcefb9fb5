// The processors of KTable-KTable equi-joins (Kafka Streams' KTableKTableInnerJoin,
// KTableKTableLeftJoin, KTableKTableOuterJoin and their right-side counterparts). Each side
// has a node that sees that side's changes and looks the other side up through its value
// getter; both feed one merge node, the joined table.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/internal/value_and_timestamp.h"

namespace rill::streams::internal {

enum class TableJoinType { kInner, kLeft, kOuter };

template <class K, class V>
struct ValueGetterSupplier;

// One side of the join: `This` is the side whose changes arrive, `Other` the side looked up.
// `joiner(this_value, other_value)` sees the values in the join's order already (the right
// side's node swaps them). Outputs, as in Kafka Streams' join tables: inner joins only when
// the other side has a value (a deletion then yields a tombstone); left and outer joins
// skip only a change with neither values nor another side; a side that must be present
// for the join type (the left one of a left join) is never null in a joiner call.
template <class K, class This, class Other, class VR>
class TableJoinSideNode : public ProcessorNode {
 public:
  using Joiner =
      std::function<std::optional<VR>(const std::optional<This>&, const std::optional<Other>&)>;
  TableJoinSideNode(std::shared_ptr<const ValueGetterSupplier<K, Other>> other, Joiner joiner,
                    bool other_required)
      : other_(std::move(other)), joiner_(std::move(joiner)), other_required_(other_required) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    lookup_ = other_->bind(context);
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, Change<This>>*>(record);
    std::optional<ValueAndTimestamp<Other>> found = lookup_(r.key);
    if (other_required_ && !found) return;
    if (!found && !r.value.new_value && !r.value.old_value) return;
    // Kafka Streams: the later of the update and the other side's value.
    const int64_t timestamp = found ? std::max(r.timestamp, found->timestamp) : r.timestamp;
    std::optional<Other> other = ValueOf(std::move(found));
    Change<VR> out{joiner_(r.value.new_value, other), joiner_(r.value.old_value, other)};
    Record<K, Change<VR>> forward{r.key, std::move(out), timestamp, r.headers};
    context_->Forward(&forward);
  }

 private:
  std::shared_ptr<const ValueGetterSupplier<K, Other>> other_;
  Joiner joiner_;
  bool other_required_;
  std::function<std::optional<ValueAndTimestamp<Other>>(const K&)> lookup_;
};

}  // namespace rill::streams::internal
