// The system zlib (Debian zlib1g-dev): inflate/deflate streams and CRC-32.
#include <zlib.h>
