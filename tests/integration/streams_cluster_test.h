// StreamsClusterTest: the fixture of the KafkaStreams integration tests — an EmbeddedCluster
// on loopback (no initial rebalance delay), a scratch state directory removed afterwards,
// and StreamsConfig values that commit and notice failures quickly.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "streams/runtime/streams_config.h"

namespace rill::testing {

class StreamsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker::EmbeddedClusterOptions options;
    options.node_template.group.initial_rebalance_delay_ms = 0;
    cluster_ = std::make_unique<broker::EmbeddedCluster>(options);
    ASSERT_TRUE(cluster_->Start().ok());
    bootstrap_ = cluster_->bootstrap_servers();
    char tmpl[] = "/tmp/rill-streams-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Application `app` with its state in <scratch>/<state> (default: the application id).
  streams::StreamsConfig Config(const std::string& app, const std::string& state = "") {
    streams::StreamsConfig c;
    c.application_id = app;
    c.bootstrap_servers = bootstrap_;
    c.state_dir = dir_ + "/" + (state.empty() ? app : state);
    c.commit_interval_ms = 100;
    c.session_timeout_ms = 6000;
    c.heartbeat_interval_ms = 1000;
    return c;
  }

  std::unique_ptr<broker::EmbeddedCluster> cluster_;
  std::string bootstrap_;
  std::string dir_;
};

}  // namespace rill::testing
