// Decodes the shipped test video (64x48, 5 solid red frames, MPEG-4 part 2 in
// MP4, made with `ffmpeg -f lavfi -i color=c=red:size=64x48:rate=5 -frames:v 5
// -c:v mpeg4 -q:v 2 tiny.mp4`) and checks what came out.
#include <cstdio>

#include <QColor>

#include "frame_decoder.h"

static int failures = 0;

static void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: frame_decoder_test VIDEO\n");
    return 2;
  }
  DecodedVideo video = decode_video(QString::fromLocal8Bit(argv[1]));
  check(video.error.isEmpty(), "no decoding error");
  check(video.frame_count == 5, "five frames decoded");
  check(video.first_frame.size() == QSize(64, 48), "first frame is 64x48");
  QColor centre = video.first_frame.pixelColor(32, 24);
  check(centre.red() > 200 && centre.green() < 60 && centre.blue() < 60, "the frame is red");

  DecodedVideo missing = decode_video(QStringLiteral("/nonexistent.mp4"));
  check(missing.error.startsWith("cannot open /nonexistent.mp4"), "a missing file is an error");

  QString versions = ffmpeg_versions();
  check(versions.startsWith("libavcodec ") && versions.contains(", libswresample "),
        "the FFmpeg versions name libavcodec and libswresample");

  std::printf("frame_decoder_test: %d frames, %d failures\n", video.frame_count, failures);
  return failures == 0 ? 0 : 1;
}
