// The Processor API (Kafka Streams' processor.api): write a Processor<KIn, VIn, KOut, VOut>
// (or a FixedKeyProcessor that cannot change the key) and plug it in with
// KStream::process / processValues. The ProcessorContext forwards records downstream, says
// where the current record came from, gives access to state stores and schedules
// punctuations on stream time or wall-clock time.
#pragma once

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>

#include "streams/processor/internal/node.h"
#include "streams/processor/key_value_store.h"
#include "streams/processor/record.h"
#include "streams/topology/topology.h"

namespace rill::streams {

// Services common to both context kinds.
class ProcessingContextBase {
 public:
  explicit ProcessingContextBase(internal::NodeContext* node) : node_(node) {}

  // Topic, partition and offset of the record being processed; nullopt inside a
  // punctuation.
  const std::optional<RecordMetadata>& recordMetadata() const {
    return node_->task->record_metadata();
  }
  const TaskId& taskId() const { return node_->task->task_id(); }
  const std::string& applicationId() const { return node_->task->application_id(); }
  int64_t currentStreamTimeMs() const { return node_->task->stream_time(); }
  int64_t currentSystemTimeMs() const { return node_->task->wall_clock_ms(); }
  // Asks for a commit as soon as possible (after the current record).
  void commit() const { node_->task->RequestCommit(); }

  // A store connected to this processor. Throws StreamsException when the store is not
  // connected to it, or holds other key/value types than <K, V>.
  template <class K, class V>
  KeyValueStore<K, V> getStateStore(std::string_view name) const {
    internal::StoreInstance* store = node_->task->GetStore(name);
    if (store == nullptr) {
      throw StreamsException("processor " + node_->name + ": store '" + std::string(name) +
                             "' is not connected to it (pass it to process()/addStateStore)");
    }
    const auto* ks = std::any_cast<Serde<K>>(&store->spec->key_serde);
    const auto* vs = std::any_cast<Serde<V>>(&store->spec->value_serde);
    if (ks == nullptr || vs == nullptr) {
      throw StreamsException("processor " + node_->name + ": store '" + std::string(name) +
                             "' holds " + store->spec->type_names +
                             ", not the types requested");
    }
    return KeyValueStore<K, V>(store->store, *ks, *vs);
  }

  // Calls `callback(time)` every `interval` of stream time (driven by record timestamps) or
  // of wall-clock time.
  void schedule(std::chrono::milliseconds interval, PunctuationType type,
                std::function<void(int64_t)> callback) const {
    node_->task->Schedule(interval, type, std::move(callback));
  }

 protected:
  internal::NodeContext* node_;
};

template <class KOut, class VOut>
class ProcessorContext : public ProcessingContextBase {
 public:
  using ProcessingContextBase::ProcessingContextBase;
  // Sends `record` to every child node.
  void forward(const Record<KOut, VOut>& record) const { node_->Forward(&record); }
  // Sends `record` to the named child only.
  void forward(const Record<KOut, VOut>& record, std::string_view child) const {
    node_->ForwardTo(&record, child);
  }
};

template <class KIn, class VIn, class KOut, class VOut>
class Processor {
 public:
  virtual ~Processor() = default;
  virtual void init(ProcessorContext<KOut, VOut>& context) { (void)context; }
  virtual void process(const Record<KIn, VIn>& record) = 0;
  virtual void close() {}
};

// A record whose key a FixedKeyProcessor cannot change (so no repartition is needed).
template <class K, class V>
class FixedKeyRecord {
 public:
  explicit FixedKeyRecord(const Record<K, V>& record) : record_(record) {}
  const K& key() const { return record_.key; }
  const V& value() const { return record_.value; }
  int64_t timestamp() const { return record_.timestamp; }
  const Headers& headers() const { return record_.headers; }
  template <class V2>
  Record<K, V2> withValue(V2 value) const {
    return Record<K, V2>{record_.key, std::move(value), record_.timestamp, record_.headers};
  }

 private:
  const Record<K, V>& record_;
};

template <class K, class VOut>
class FixedKeyProcessorContext : public ProcessingContextBase {
 public:
  using ProcessingContextBase::ProcessingContextBase;
  // Forwards a record made from a FixedKeyRecord (record.withValue(...)): same key.
  void forward(const Record<K, VOut>& record) const { node_->Forward(&record); }
};

template <class K, class VIn, class VOut>
class FixedKeyProcessor {
 public:
  virtual ~FixedKeyProcessor() = default;
  virtual void init(FixedKeyProcessorContext<K, VOut>& context) { (void)context; }
  virtual void process(const FixedKeyRecord<K, VIn>& record) = 0;
  virtual void close() {}
};

namespace internal {

template <class KIn, class VIn, class KOut, class VOut>
class UserProcessorNode : public ProcessorNode {
 public:
  explicit UserProcessorNode(std::unique_ptr<Processor<KIn, VIn, KOut, VOut>> p)
      : processor_(std::move(p)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    user_context_.emplace(&context);
    processor_->init(*user_context_);
  }
  void Process(const void* record) override {
    processor_->process(*static_cast<const Record<KIn, VIn>*>(record));
  }
  void Close() override { processor_->close(); }

 private:
  std::unique_ptr<Processor<KIn, VIn, KOut, VOut>> processor_;
  std::optional<ProcessorContext<KOut, VOut>> user_context_;
};

template <class K, class VIn, class VOut>
class UserFixedKeyProcessorNode : public ProcessorNode {
 public:
  explicit UserFixedKeyProcessorNode(std::unique_ptr<FixedKeyProcessor<K, VIn, VOut>> p)
      : processor_(std::move(p)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    user_context_.emplace(&context);
    processor_->init(*user_context_);
  }
  void Process(const void* record) override {
    processor_->process(FixedKeyRecord<K, VIn>(*static_cast<const Record<K, VIn>*>(record)));
  }
  void Close() override { processor_->close(); }

 private:
  std::unique_ptr<FixedKeyProcessor<K, VIn, VOut>> processor_;
  std::optional<FixedKeyProcessorContext<K, VOut>> user_context_;
};

}  // namespace internal
}  // namespace rill::streams
