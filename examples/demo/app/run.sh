#!/bin/sh
# the demo image's entrypoint: shows what the build put in the image
echo "$(cat /app/greeting.txt), ${1:-nobody}!"
echo "version $APP_VERSION, running as $(id -un) in $(pwd)"
echo "sorted words: $(tr '\n' ' ' < /app/sorted.txt)"
echo "assets: $(cat /app/data/assets.txt | tr '\n' ' ')"
cat /app/data/built.txt
