#include "broker/broker.h"

#include "broker/cluster/topic_manager.h"
#include "broker/group/group_coordinator.h"
#include "broker/txn/producer_id_manager.h"
#include "broker/txn/transaction_coordinator.h"
#include "broker/server/broker_services.h"
#include "broker/server/server.h"
#include "spdlog/spdlog.h"

namespace rill::broker {

Broker::Broker(BrokerConfig config) : config_(std::move(config)) {}

Broker::~Broker() { Stop(); }

absl::Status Broker::Start() {
  if (config_.data_dir.empty()) return absl::InvalidArgumentError("data_dir is required");
  topics_ = std::make_unique<TopicManager>(config_);
  if (absl::Status s = topics_->Load(); !s.ok()) return s;
  groups_ = std::make_unique<group::GroupCoordinator>(*topics_, config_.group);
  groups_->StartLoading();
  producer_ids_ = std::make_unique<txn::ProducerIdManager>(config_.data_dir +
                                                           "/__meta/producer-id-block");
  transactions_ = std::make_unique<txn::TransactionCoordinator>(*topics_, *groups_,
                                                                *producer_ids_, config_.txn);
  transactions_->StartLoading();
  services_ = std::unique_ptr<BrokerServices>(new BrokerServices{
      config_, *topics_, *groups_, *producer_ids_, *transactions_,
      config_.advertised_host.empty() ? config_.host : config_.advertised_host, 0});
  server_ = std::make_unique<Server>(*services_);
  if (absl::Status s = server_->Start(config_.host, config_.port, config_.io_threads); !s.ok()) {
    return s;
  }
  services_->advertised_port = server_->port();
  TopicManager* topics = topics_.get();
  server_->Every(config_.retention_check_interval_ms,
                 [topics] { topics->ApplyRetention(NowMs()); });
  // Session timeouts and delayed joins need ~100 ms resolution, not more.
  group::GroupCoordinator* groups = groups_.get();
  server_->Every(100, [groups] { groups->Tick(NowMs()); });
  txn::TransactionCoordinator* transactions = transactions_.get();
  server_->Every(200, [transactions] { transactions->Tick(NowMs()); });
  started_ = true;
  spdlog::info("broker {} serving on {}", config_.node_id, bootstrap_address());
  return absl::OkStatus();
}

void Broker::Stop() {
  if (server_) server_->Stop();
  server_.reset();
  if (groups_) groups_->WaitLoaded();
  if (transactions_) transactions_->WaitLoaded();
  transactions_.reset();
  groups_.reset();
  if (topics_) topics_->CloseAll().IgnoreError();
  started_ = false;
}

int Broker::port() const { return server_ ? server_->port() : 0; }

std::string Broker::bootstrap_address() const {
  return (services_ ? services_->advertised_host : config_.host) + ":" + std::to_string(port());
}

TopicManager& Broker::topics() { return *topics_; }

group::GroupCoordinator& Broker::groups() { return *groups_; }

txn::TransactionCoordinator& Broker::transactions() { return *transactions_; }

void Broker::DropConnections() {
  if (server_) server_->DropConnections();
}

}  // namespace rill::broker
