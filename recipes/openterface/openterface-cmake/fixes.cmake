# Loaded through CMAKE_PROJECT_INCLUDE by the openterface stage, after each
# project() of OpenterfaceQT.
#
# 1. OpenterfaceQT's CMake files are written for a native build: once its top
# directory has been processed, this takes out what they hard-code of the
# build machine, so the cross build sees only the sysroot (and, 3., links
# Qt's offscreen platform plugin too).
#  - `-include /usr/include/time.h` names the build machine's header; the
#    sysroot has the target's.
#  - /usr/include and /usr/local/include as include directories put the build
#    machine's headers before the sysroot's (GCC does not re-root -I paths).
function(xstage_confine_openterface_to_sysroot)
    if(NOT TARGET openterfaceQT)
        return()
    endif()
    get_target_property(options openterfaceQT COMPILE_OPTIONS)
    if(options)
        list(TRANSFORM options REPLACE "^/usr/include/time.h$" "${CMAKE_SYSROOT}/usr/include/time.h")
        set_property(TARGET openterfaceQT PROPERTY COMPILE_OPTIONS "${options}")
    endif()
    get_target_property(directories openterfaceQT INCLUDE_DIRECTORIES)
    if(directories)
        list(REMOVE_ITEM directories /usr/include /usr/local/include)
        set_property(TARGET openterfaceQT PROPERTY INCLUDE_DIRECTORIES "${directories}")
    endif()
    get_directory_property(directories DIRECTORY "${CMAKE_SOURCE_DIR}" INCLUDE_DIRECTORIES)
    list(REMOVE_ITEM directories /usr/include /usr/local/include)
    set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY INCLUDE_DIRECTORIES "${directories}")
    # 3. A static Qt links only the default platform plugin (xcb) into the
    # app. The offscreen one as well lets it start without a display
    # (QT_QPA_PLATFORM=offscreen: CI's start check, headless tests). This runs
    # before Qt's own deferred finalizer, which links the plugins.
    if(TARGET Qt6::QOffscreenIntegrationPlugin)
        qt_import_plugins(openterfaceQT INCLUDE Qt6::QOffscreenIntegrationPlugin)
    endif()
endfunction()

if(CMAKE_CURRENT_SOURCE_DIR STREQUAL CMAKE_SOURCE_DIR)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL xstage_confine_openterface_to_sysroot)
endif()

# 2. Qt 6.4's static FFmpeg media plugin links VAAPI::VAAPI, but its CMake
# package does not look for it: "The link interface of target
# Qt6::QFFmpegMediaPlugin contains: VAAPI::VAAPI but the target was not found".
# Provide it from the sysroot's libva, as Qt's own FindVAAPI would.
if(NOT TARGET VAAPI::VAAPI)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(XSTAGE_VAAPI REQUIRED IMPORTED_TARGET libva libva-drm)
    add_library(VAAPI::VAAPI INTERFACE IMPORTED)
    target_link_libraries(VAAPI::VAAPI INTERFACE PkgConfig::XSTAGE_VAAPI)
endif()
