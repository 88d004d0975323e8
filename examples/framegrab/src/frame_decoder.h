#pragma once

#include <QImage>
#include <QString>

// Decodes video frames from a file with FFmpeg (libavformat + libavcodec)
// and converts them to RGB with libswscale.
struct DecodedVideo {
  QImage first_frame;   // null when decoding failed
  int frame_count = 0;  // frames decoded in the whole stream
  QString error;        // why decoding failed, empty on success
};

// Decodes every frame of the first video stream of `path`, keeping the first.
DecodedVideo decode_video(const QString& path);
