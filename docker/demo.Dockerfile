# The demo's runtime image, as `xstage image` assembles it without a daemon,
# for teams that build images with a Docker engine instead:
#
#   xstage image --context ctx
#   docker build -f docker/demo.Dockerfile -t xstage/demo ctx
#
# A thin base (nothing: the runtime stage's Debian arm64 libraries are the
# first layer) plus one ADD per layer, bottom first; ADD unpacks each
# .tar.gz. Entrypoint and environment are recipes/demo/app.ini's [image].
# tests/docker_files.sh checks all of this against what xstage writes.
FROM scratch
ADD runtime.tar.gz /
ADD app.tar.gz /
ENV PATH=/opt/framegrab/bin:/usr/bin:/bin
ENTRYPOINT ["/opt/framegrab/bin/framegrab"]
