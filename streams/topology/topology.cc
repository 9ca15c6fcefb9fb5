// Topology: node bookkeeping, sub-topology splitting and describe().
#include "streams/topology/topology.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rill::streams {

using internal::NodeKind;
using internal::NodeSpec;

const NodeSpec* Topology::FindNode(std::string_view name) const {
  auto it = node_index_.find(std::string(name));
  return it == node_index_.end() ? nullptr : &nodes_[it->second];
}

bool Topology::IsInternalTopic(std::string_view topic) const {
  return std::any_of(internal_topics_.begin(), internal_topics_.end(),
                     [&](const auto& t) { return t.name == topic; });
}

void Topology::AddNode(NodeSpec node) {
  node_index_.emplace(node.name, nodes_.size());
  nodes_.push_back(std::move(node));
}

void Topology::AddStore(internal::StoreSpec store) {
  std::string name = store.name;
  if (!stores_.emplace(name, std::move(store)).second) duplicate_stores_.push_back(name);
}

void Topology::ConnectStore(const std::string& node, const std::string& store) {
  auto it = node_index_.find(node);
  if (it == node_index_.end()) return;  // Finish() reports the unknown node
  auto& stores = nodes_[it->second].stores;
  if (std::find(stores.begin(), stores.end(), store) == stores.end()) stores.push_back(store);
}

void Topology::MarkCopartitioned(const std::string& node) {
  auto it = node_index_.find(node);
  if (it != node_index_.end()) nodes_[it->second].copartitioned = true;
}

void Topology::AddInternalTopic(internal::InternalTopic topic) {
  if (!IsInternalTopic(topic.name)) internal_topics_.push_back(std::move(topic));
}

void Topology::AddGlobalStore(internal::StoreSpec store, internal::GlobalStore global) {
  global_stores_.push_back(std::move(global));
  AddStore(std::move(store));
}

absl::Status Topology::Finish() {
  if (!duplicate_stores_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("two stores are named '", duplicate_stores_.front(), "'"));
  }
  if (node_index_.size() != nodes_.size()) {
    std::set<std::string> seen;
    for (const auto& n : nodes_) {
      if (!seen.insert(n.name).second) {
        return absl::InvalidArgumentError(absl::StrCat("two nodes are named '", n.name, "'"));
      }
    }
  }
  // Union-find: nodes joined by an edge or by a shared store form one sub-topology.
  std::vector<size_t> parent(nodes_.size());
  std::iota(parent.begin(), parent.end(), 0);
  std::function<size_t(size_t)> find = [&](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  auto unite = [&](size_t a, size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  };
  std::map<std::string, size_t> store_owner;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const NodeSpec& n = nodes_[i];
    if (n.kind == NodeKind::kSource && !n.parents.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("source node '", n.name, "' has parents"));
    }
    if (n.kind != NodeKind::kSource && n.parents.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("node '", n.name, "' has no parent"));
    }
    for (const auto& p : n.parents) {
      auto it = node_index_.find(p);
      if (it == node_index_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("node '", n.name, "' has unknown parent '", p, "'"));
      }
      if (nodes_[it->second].kind == NodeKind::kSink) {
        return absl::InvalidArgumentError(
            absl::StrCat("node '", n.name, "' cannot follow sink '", p, "'"));
      }
      unite(i, it->second);
    }
    for (const auto& s : n.stores) {
      auto store = stores_.find(s);
      if (store == stores_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("node '", n.name, "' uses unknown store '", s, "'"));
      }
      if (store->second.global) {
        // Kafka Streams: global stores are read-only and need no connection.
        return absl::InvalidArgumentError(absl::StrCat(
            "node '", n.name, "' connects global store '", s,
            "': global stores are readable from every processor without connecting them"));
      }
      auto [it, inserted] = store_owner.emplace(s, i);
      if (!inserted) unite(i, it->second);
    }
  }
  std::map<std::string, int32_t> topic_owner;
  std::map<std::string, std::string> global_topics;
  for (const auto& g : global_stores_) {
    if (!global_topics.emplace(g.topic, g.store).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic '", g.topic, "' feeds two global stores"));
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].kind != NodeKind::kSource) continue;
    for (const auto& t : nodes_[i].topics) {
      if (global_topics.count(t)) {
        return absl::InvalidArgumentError(
            absl::StrCat("topic '", t, "' is read by source '", nodes_[i].name,
                         "' and by global store '", global_topics[t], "'"));
      }
      auto [it, inserted] = topic_owner.emplace(t, static_cast<int32_t>(i));
      if (!inserted) {
        return absl::InvalidArgumentError(
            absl::StrCat("topic '", t, "' is read by two sources: '", nodes_[it->second].name,
                         "' and '", nodes_[i].name, "'"));
      }
    }
  }
  // Number sub-topologies in order of their first node, as Kafka Streams does.
  std::map<size_t, int32_t> root_to_id;
  subtopologies_.clear();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    size_t root = find(i);
    auto [it, inserted] = root_to_id.emplace(root, static_cast<int32_t>(subtopologies_.size()));
    if (inserted) {
      subtopologies_.emplace_back();
      subtopologies_.back().id = it->second;
    }
    internal::Subtopology& sub = subtopologies_[it->second];
    const NodeSpec& n = nodes_[i];
    sub.nodes.push_back(n.name);
    if (n.copartitioned) sub.copartitioned = true;
    if (n.kind == NodeKind::kSource) {
      for (const auto& t : n.topics) {
        sub.source_topics.push_back(t);
        if (n.internal_topics) sub.repartition_sources.push_back(t);
        topic_to_subtopology_[t] = sub.id;
      }
    } else if (n.kind == NodeKind::kSink && !n.topics.empty()) {
      sub.sink_topics.push_back(n.topics.front());
    }
    for (const auto& s : n.stores) {
      if (std::find(sub.stores.begin(), sub.stores.end(), s) == sub.stores.end()) {
        sub.stores.push_back(s);
      }
    }
  }
  for (const auto& [name, store] : stores_) {
    if (store.global) continue;  // fed by the global thread, changelog = its topic
    if (!store_owner.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("store '", name, "' is not connected to any processor"));
    }
    if (store.logging) {
      std::map<std::string, std::string> configs = {{"cleanup.policy", "compact"}};
      if (store.kind == internal::StoreKind::kWindow ||
          store.kind == internal::StoreKind::kSession) {
        // As Kafka Streams: windows and sessions leave the changelog by time too, one day
        // after they leave the store (windowstore.changelog.additional.retention.ms).
        configs["cleanup.policy"] = "compact,delete";
        configs["retention.ms"] = std::to_string(store.retention_ms + 24 * 3600 * 1000LL);
      }
      for (const auto& [k, v] : store.changelog_configs) configs[k] = v;
      AddInternalTopic({ChangelogTopic(name), internal::InternalTopic::Kind::kChangelog, -1,
                        std::move(configs)});
    }
  }
  for (const auto& sub : subtopologies_) {
    if (sub.source_topics.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("sub-topology ", sub.id, " has no source (nodes: ",
                       absl::StrJoin(sub.nodes, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

std::string Topology::describe() const {
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& n : nodes_) {
    for (const auto& p : n.parents) children[p].push_back(n.name);
  }
  // Kafka Streams orders nodes, successors and predecessors by the size of the sub-graph
  // below them (largest first, counting a node once per path), then by name.
  std::map<std::string, int64_t> size;
  std::function<int64_t(const std::string&)> size_of = [&](const std::string& name) {
    auto [it, inserted] = size.emplace(name, 1);
    if (inserted) {
      int64_t total = 1;
      for (const auto& c : children[name]) total += size_of(c);
      size[name] = total;
      return total;
    }
    return it->second;
  };
  auto sorted = [&](std::vector<std::string> names) {
    for (const auto& n : names) size_of(n);
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return size[a] != size[b] ? size[a] > size[b] : a < b;
    });
    return names;
  };
  auto list = [&](const std::vector<std::string>& names) {
    return names.empty() ? std::string("none") : absl::StrJoin(sorted(names), ", ");
  };
  // Kafka Streams' layout, including its indentation quirk: the first sub-topology is
  // indented by three spaces, the others by two.
  std::string out = "Topologies:\n ";
  for (const auto& sub : subtopologies_) {
    absl::StrAppend(&out, "  Sub-topology: ", sub.id, "\n");
    for (const auto& name : sorted(sub.nodes)) {
      const NodeSpec& n = *FindNode(name);
      switch (n.kind) {
        case NodeKind::kSource:
          absl::StrAppend(&out, "    Source: ", n.name, " (topics: [",
                          absl::StrJoin(n.topics, ", "), "])\n");
          break;
        case NodeKind::kProcessor:
          absl::StrAppend(&out, "    Processor: ", n.name, " (stores: [",
                          absl::StrJoin(n.stores, ", "), "])\n");
          break;
        case NodeKind::kSink:
          if (n.topics.empty()) {
            absl::StrAppend(&out, "    Sink: ", n.name, " (extractor)\n");
          } else {
            absl::StrAppend(&out, "    Sink: ", n.name, " (topic: ", n.topics.front(), ")\n");
          }
          break;
      }
      if (n.kind != NodeKind::kSink) {
        absl::StrAppend(&out, "      --> ", list(children[n.name]), "\n");
      }
      if (n.kind != NodeKind::kSource) {
        absl::StrAppend(&out, "      <-- ", list(n.parents), "\n");
      }
    }
    out += "\n";
  }
  // Kafka Streams numbers global sub-topologies among the others (by creation order); Rill
  // keeps task ids stable by numbering them after the regular ones.
  int32_t id = static_cast<int32_t>(subtopologies_.size());
  for (const auto& g : global_stores_) {
    absl::StrAppend(&out, "  Sub-topology: ", id++, " for global store (will not generate tasks)\n",
                    "    Source: ", g.source_node, " (topics: [", g.topic, "])\n",
                    "      --> ", g.processor_node, "\n",
                    "    Processor: ", g.processor_node, " (stores: [", g.store, "])\n",
                    "      --> none\n",
                    "      <-- ", g.source_node, "\n\n");
  }
  return out;
}

}  // namespace rill::streams
