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

// The FFmpeg libraries linked in, as "libavcodec 59.37.100, libswresample
// 4.7.100": libswresample is not in the app's CMake list, so this links only
// when the build passes it as a standard library (see CMakeLists.txt).
QString ffmpeg_versions();
