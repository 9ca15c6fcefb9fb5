#include "broker/cluster/topic_manager.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include "broker/cluster/topic_config.h"
#include "broker_metadata.pb.h"
#include "spdlog/spdlog.h"

namespace rill::broker {
namespace fs = std::filesystem;
using protocol::ErrorCode;

namespace {

std::string RandomTopicId() {
  std::random_device rd;
  std::string id(16, '\0');
  for (char& c : id) c = static_cast<char>(rd());
  return id;
}

// Writes `data` to `path` atomically: temp file, fsync, rename, fsync the directory.
absl::Status WriteFileAtomically(const fs::path& path, const std::string& data) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError("cannot create " + tmp.string());
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError("cannot write " + tmp.string());
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError("cannot rename " + tmp.string() + ": " + ec.message());
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

}  // namespace

TopicManager::TopicManager(const BrokerConfig& config) : config_(config) {}

TopicManager::~TopicManager() { CloseAll().IgnoreError(); }

std::string TopicManager::PartitionDir(const std::string& topic, int32_t index) const {
  return (fs::path(config_.data_dir) / (topic + "-" + std::to_string(index))).string();
}

std::string TopicManager::MetaPath(const std::string& topic) const {
  return (fs::path(config_.data_dir) / "__meta" / (topic + ".topic")).string();
}

absl::Status TopicManager::PersistMeta(const TopicSnapshot& meta) const {
  proto::TopicRecord record;
  record.set_name(meta.name);
  record.set_topic_id(meta.topic_id);
  record.set_partitions(meta.partition_count);
  record.set_replication_factor(1);
  for (const auto& [k, v] : meta.configs) (*record.mutable_configs())[k] = v;
  return WriteFileAtomically(MetaPath(meta.name), record.SerializeAsString());
}

log::LogConfig TopicManager::LogConfigFor(const TopicSnapshot& topic) const {
  return ToLogConfig(config_.log_defaults, topic.configs);
}

absl::StatusOr<std::shared_ptr<Partition>> TopicManager::OpenPartition(const TopicSnapshot& meta,
                                                                       int32_t index) const {
  auto log = log::PartitionLog::Open(PartitionDir(meta.name, index), LogConfigFor(meta));
  if (!log.ok()) return log.status();
  return Partition::Open(meta.name, index, std::move(*log));
}

absl::Status TopicManager::Load() {
  std::error_code ec;
  fs::create_directories(fs::path(config_.data_dir) / "__meta", ec);
  if (ec) return absl::InternalError("cannot create data dir " + config_.data_dir + ": " + ec.message());
  std::unique_lock lock(mu_);
  for (const auto& entry : fs::directory_iterator(fs::path(config_.data_dir) / "__meta")) {
    if (entry.path().extension() != ".topic") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    proto::TopicRecord record;
    if (!record.ParseFromString(data)) {
      return absl::DataLossError("corrupt topic metadata " + entry.path().string());
    }
    Topic topic;
    topic.meta.name = record.name();
    topic.meta.topic_id = record.topic_id();
    topic.meta.partition_count = record.partitions();
    topic.meta.is_internal = record.name().starts_with("__");
    for (const auto& [k, v] : record.configs()) topic.meta.configs[k] = v;
    for (int32_t p = 0; p < record.partitions(); ++p) {
      auto partition = OpenPartition(topic.meta, p);
      if (!partition.ok()) return partition.status();
      topic.partitions.push_back(std::move(*partition));
    }
    spdlog::info("loaded topic {} ({} partitions)", topic.meta.name, topic.meta.partition_count);
    topics_.emplace(topic.meta.name, std::move(topic));
  }
  return absl::OkStatus();
}

AdminResult TopicManager::ValidateTopicName(const std::string& name) {
  if (name.empty()) return {ErrorCode::kInvalidTopicException, "Topic name is illegal, it can't be empty"};
  if (name == "." || name == "..") {
    return {ErrorCode::kInvalidTopicException, "Topic name cannot be \".\" or \"..\""};
  }
  if (name.size() > 249) {
    return {ErrorCode::kInvalidTopicException,
            "Topic name is illegal, it can't be longer than 249 characters"};
  }
  for (char c : name) {
    bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    if (!legal) {
      return {ErrorCode::kInvalidTopicException,
              "Topic name \"" + name +
                  "\" is illegal, it contains a character other than ASCII alphanumerics, '.', "
                  "'_' and '-'"};
    }
  }
  return {};
}

AdminResult TopicManager::CreateTopic(const std::string& name, int32_t partitions,
                                      int16_t replication_factor,
                                      const std::map<std::string, std::string>& configs,
                                      bool validate_only) {
  if (AdminResult r = ValidateTopicName(name); !r.ok()) return r;
  if (partitions == -1) partitions = config_.default_partitions;
  if (replication_factor == -1) replication_factor = config_.default_replication_factor;
  if (partitions <= 0 || partitions > 100000) {
    return {ErrorCode::kInvalidPartitions, "Number of partitions must be larger than 0."};
  }
  if (replication_factor <= 0) {
    return {ErrorCode::kInvalidReplicationFactor, "Replication factor must be larger than 0."};
  }
  if (replication_factor > 1) {
    return {ErrorCode::kInvalidReplicationFactor,
            "Replication factor: " + std::to_string(replication_factor) +
                " larger than available brokers: 1."};
  }
  if (absl::Status s = ValidateTopicConfigs(configs); !s.ok()) {
    return {ErrorCode::kInvalidConfig, std::string(s.message())};
  }
  std::unique_lock lock(mu_);
  if (topics_.contains(name)) {
    return {ErrorCode::kTopicAlreadyExists, "Topic '" + name + "' already exists."};
  }
  if (validate_only) return {};
  Topic topic;
  topic.meta.name = name;
  topic.meta.topic_id = RandomTopicId();
  topic.meta.partition_count = partitions;
  topic.meta.configs = configs;
  topic.meta.is_internal = name.starts_with("__");
  for (int32_t p = 0; p < partitions; ++p) {
    auto partition = OpenPartition(topic.meta, p);
    if (!partition.ok()) {
      return {ErrorCode::kKafkaStorageError, std::string(partition.status().message())};
    }
    topic.partitions.push_back(std::move(*partition));
  }
  if (absl::Status s = PersistMeta(topic.meta); !s.ok()) {
    return {ErrorCode::kKafkaStorageError, std::string(s.message())};
  }
  spdlog::info("created topic {} with {} partitions", name, partitions);
  topics_.emplace(name, std::move(topic));
  return {};
}

bool TopicManager::AutoCreate(const std::string& name) {
  if (GetTopic(name)) return true;
  if (!config_.auto_create_topics) return false;
  AdminResult r = CreateTopic(name, -1, -1, {}, false);
  return r.ok() || r.error == ErrorCode::kTopicAlreadyExists;
}

AdminResult TopicManager::DeleteTopic(const std::string& name) {
  Topic topic;
  {
    std::unique_lock lock(mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) {
      return {ErrorCode::kUnknownTopicOrPartition,
              "This server does not host this topic-partition."};
    }
    topic = std::move(it->second);
    topics_.erase(it);
    std::error_code ec;
    fs::remove(MetaPath(name), ec);
  }
  for (auto& partition : topic.partitions) {
    partition->log().Close().IgnoreError();
    std::error_code ec;
    fs::remove_all(PartitionDir(name, partition->index()), ec);
  }
  spdlog::info("deleted topic {}", name);
  return {};
}

AdminResult TopicManager::CreatePartitions(const std::string& name, int32_t new_count,
                                           bool validate_only) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return {ErrorCode::kUnknownTopicOrPartition, "The topic '" + name + "' does not exist."};
  }
  Topic& topic = it->second;
  if (new_count <= topic.meta.partition_count) {
    return {ErrorCode::kInvalidPartitions,
            "Topic currently has " + std::to_string(topic.meta.partition_count) +
                " partitions, which is higher than the requested " + std::to_string(new_count) +
                "."};
  }
  if (new_count > 100000) return {ErrorCode::kInvalidPartitions, "Too many partitions."};
  if (validate_only) return {};
  TopicSnapshot updated = topic.meta;
  updated.partition_count = new_count;
  std::vector<std::shared_ptr<Partition>> added;
  for (int32_t p = topic.meta.partition_count; p < new_count; ++p) {
    auto partition = OpenPartition(updated, p);
    if (!partition.ok()) {
      return {ErrorCode::kKafkaStorageError, std::string(partition.status().message())};
    }
    added.push_back(std::move(*partition));
  }
  if (absl::Status s = PersistMeta(updated); !s.ok()) {
    return {ErrorCode::kKafkaStorageError, std::string(s.message())};
  }
  topic.meta = updated;
  for (auto& p : added) topic.partitions.push_back(std::move(p));
  return {};
}

std::shared_ptr<Partition> TopicManager::GetPartition(const std::string& topic,
                                                      int32_t index) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || index < 0 ||
      index >= static_cast<int32_t>(it->second.partitions.size())) {
    return nullptr;
  }
  return it->second.partitions[index];
}

std::optional<TopicSnapshot> TopicManager::GetTopic(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second.meta;
}

std::vector<TopicSnapshot> TopicManager::ListTopics() const {
  std::shared_lock lock(mu_);
  std::vector<TopicSnapshot> out;
  out.reserve(topics_.size());
  for (const auto& [name, topic] : topics_) out.push_back(topic.meta);
  return out;
}

std::vector<std::shared_ptr<Partition>> TopicManager::AllPartitions() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<Partition>> out;
  for (const auto& [name, topic] : topics_) {
    out.insert(out.end(), topic.partitions.begin(), topic.partitions.end());
  }
  return out;
}

void TopicManager::ApplyRetention(int64_t now_ms) {
  for (auto& partition : AllPartitions()) partition->log().ApplyRetention(now_ms);
}

absl::Status TopicManager::CloseAll() {
  absl::Status result;
  for (auto& partition : AllPartitions()) result.Update(partition->log().Close());
  return result;
}

}  // namespace rill::broker
