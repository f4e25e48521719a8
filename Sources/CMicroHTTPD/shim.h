#ifndef SEXTON_CMICROHTTPD_SHIM_H
#define SEXTON_CMICROHTTPD_SHIM_H
#include <microhttpd.h>
#endif
