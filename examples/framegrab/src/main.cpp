// framegrab [--save OUT.png] VIDEO: shows (or saves) the first frame of VIDEO.
#include <QApplication>
#include <QCommandLineParser>
#include <QLabel>
#include <QPixmap>

#include <cstdio>

#include "frame_decoder.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("framegrab");

  QCommandLineParser parser;
  parser.setApplicationDescription("Shows the first frame of a video, decoded with FFmpeg.");
  parser.addHelpOption();
  QCommandLineOption versions_option("ffmpeg-versions", "Print the FFmpeg libraries linked in and exit.");
  parser.addOption(versions_option);
  QCommandLineOption save_option("save", "Save the frame as PNG to FILE instead of showing it.", "FILE");
  parser.addOption(save_option);
  parser.addPositionalArgument("video", "The video file to decode.");
  parser.process(app);
  if (parser.isSet(versions_option)) {
    std::printf("framegrab: %s\n", qPrintable(ffmpeg_versions()));
    return 0;
  }
  if (parser.positionalArguments().size() != 1) {
    parser.showHelp(2);
  }

  DecodedVideo video = decode_video(parser.positionalArguments().first());
  if (!video.error.isEmpty()) {
    std::fprintf(stderr, "framegrab: %s\n", qPrintable(video.error));
    return 1;
  }
  std::printf("framegrab: %d frames, first %dx%d\n", video.frame_count, video.first_frame.width(),
              video.first_frame.height());

  if (parser.isSet(save_option)) {
    return video.first_frame.save(parser.value(save_option), "PNG") ? 0 : 1;
  }
  QLabel label;
  label.setPixmap(QPixmap::fromImage(video.first_frame));
  label.setWindowTitle("framegrab");
  label.show();
  return QApplication::exec();
}
