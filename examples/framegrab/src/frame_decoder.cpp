#include "frame_decoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>

namespace {

QString av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return QString::fromUtf8(text);
}

struct FormatCloser {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecFreer {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameFreer {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketFreer {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};

QImage to_rgb(const AVFrame* frame) {
  QImage image(frame->width, frame->height, QImage::Format_RGB888);
  SwsContext* scaler = sws_getContext(frame->width, frame->height, static_cast<AVPixelFormat>(frame->format),
                                      frame->width, frame->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr,
                                      nullptr, nullptr);
  if (scaler == nullptr) {
    return {};
  }
  uint8_t* planes[] = {image.bits()};
  int strides[] = {static_cast<int>(image.bytesPerLine())};
  sws_scale(scaler, frame->data, frame->linesize, 0, frame->height, planes, strides);
  sws_freeContext(scaler);
  return image;
}

} // namespace

DecodedVideo decode_video(const QString& path) {
  DecodedVideo result;
  AVFormatContext* raw_format = nullptr;
  QByteArray file = path.toUtf8();
  if (int code = avformat_open_input(&raw_format, file.constData(), nullptr, nullptr); code < 0) {
    result.error = QStringLiteral("cannot open %1: %2").arg(path, av_error(code));
    return result;
  }
  std::unique_ptr<AVFormatContext, FormatCloser> format(raw_format);
  avformat_find_stream_info(format.get(), nullptr);

  const AVCodec* codec = nullptr;
  int stream = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (stream < 0 || codec == nullptr) {
    result.error = QStringLiteral("no decodable video stream in %1").arg(path);
    return result;
  }
  std::unique_ptr<AVCodecContext, CodecFreer> decoder(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(decoder.get(), format->streams[stream]->codecpar);
  if (int code = avcodec_open2(decoder.get(), codec, nullptr); code < 0) {
    result.error = QStringLiteral("cannot open decoder %1: %2").arg(codec->name, av_error(code));
    return result;
  }

  std::unique_ptr<AVPacket, PacketFreer> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFreer> frame(av_frame_alloc());
  auto drain = [&] {
    while (avcodec_receive_frame(decoder.get(), frame.get()) == 0) {
      if (result.frame_count++ == 0) {
        result.first_frame = to_rgb(frame.get());
      }
    }
  };
  while (av_read_frame(format.get(), packet.get()) >= 0) {
    if (packet->stream_index == stream && avcodec_send_packet(decoder.get(), packet.get()) == 0) {
      drain();
    }
    av_packet_unref(packet.get());
  }
  avcodec_send_packet(decoder.get(), nullptr); // flush delayed frames
  drain();
  if (result.frame_count == 0) {
    result.error = QStringLiteral("no frame decoded from %1").arg(path);
  }
  return result;
}

QString ffmpeg_versions() {
  auto named = [](const char* name, unsigned version) {
    return QStringLiteral("%1 %2.%3.%4")
        .arg(QString::fromLatin1(name))
        .arg(AV_VERSION_MAJOR(version))
        .arg(AV_VERSION_MINOR(version))
        .arg(AV_VERSION_MICRO(version));
  };
  return named("libavcodec", avcodec_version()) + ", " + named("libswresample", swresample_version());
}
