#pragma once

#include <cstddef>
#include <cstdint>

#include "registry/client.hpp"

namespace xstage::remote {

// What pushing some blobs cost: what went over the network, what the
// registry mounted from another repository, and what it already had.
struct PushCounts {
  std::uint64_t bytes_sent = 0;
  std::size_t blobs_sent = 0;
  std::size_t blobs_mounted = 0;
  std::size_t blobs_present = 0;

  void add(const registry::BlobPush& push) {
    bytes_sent += push.bytes_sent;
    switch (push.how) {
    case registry::BlobPush::How::uploaded: ++blobs_sent; break;
    case registry::BlobPush::How::mounted: ++blobs_mounted; break;
    case registry::BlobPush::How::present: ++blobs_present; break;
    }
  }

  void add(const PushCounts& other) {
    bytes_sent += other.bytes_sent;
    blobs_sent += other.blobs_sent;
    blobs_mounted += other.blobs_mounted;
    blobs_present += other.blobs_present;
  }
};

} // namespace xstage::remote
