// BranchedKStream<K, V>: KStream::split() — each record goes to the first branch whose
// predicate holds (Kafka Streams' split/branch/defaultBranch).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "streams/dsl/kstream.h"

namespace rill::streams {

template <class K, class V>
class BranchedKStream {
 public:
  using Predicate = std::function<bool(const K&, const V&)>;

  BranchedKStream(KStream<K, V> parent, std::string split_name)
      : parent_(std::move(parent)), split_name_(std::move(split_name)) {}

  // Adds a branch named `name` (the returned map's key is split name + branch name; a
  // generated number when empty).
  BranchedKStream& branch(Predicate predicate, std::string name = "") {
    if (name.empty()) name = std::to_string(branches_.size() + 1);
    branches_.push_back({std::move(predicate), split_name_ + name});
    return *this;
  }
  // Records no predicate took go to a branch named "<split>0" (Kafka Streams' default name).
  std::map<std::string, KStream<K, V>> defaultBranch(std::string name = "0") {
    branches_.push_back({nullptr, split_name_ + name});
    return Build();
  }
  std::map<std::string, KStream<K, V>> noDefaultBranch() { return Build(); }

 private:
  struct Branch {
    Predicate predicate;  // null: default branch
    std::string name;
  };

  std::map<std::string, KStream<K, V>> Build() {
    auto state = parent_.state();
    std::vector<std::string> children;
    for (size_t i = 0; i < branches_.size(); ++i) children.push_back(branches_[i].name);
    std::vector<Branch> branches = branches_;
    std::string branch_node = parent_.Add(
        "", Named::as(split_name_),
        internal::LambdaFactory<K, V>([branches](const Record<K, V>& r, internal::NodeContext& ctx) {
          for (const auto& b : branches) {
            if (!b.predicate || b.predicate(r.key, r.value)) return ctx.ForwardTo(&r, b.name);
          }
        }));
    std::map<std::string, KStream<K, V>> out;
    KStream<K, V> from(state, branch_node, parent_.repartition_required(), parent_.key_serde(),
                       parent_.value_serde());
    for (const auto& b : branches_) {
      state->NewName("");  // Kafka Streams uses up one generated index per branch
      std::string node = from.Add("", Named::as(b.name),
                                  internal::LambdaFactory<K, V>(
                                      [](const Record<K, V>& r, internal::NodeContext& ctx) {
                                        ctx.Forward(&r);
                                      }));
      out.emplace(b.name, KStream<K, V>(state, node, parent_.repartition_required(),
                                        parent_.key_serde(), parent_.value_serde()));
    }
    return out;
  }

  KStream<K, V> parent_;
  std::string split_name_;
  std::vector<Branch> branches_;
};

}  // namespace rill::streams
