/*
 * newsidx/newsidx.h - the whole public API of libnewsidx.
 */
#ifndef NEWSIDX_NEWSIDX_H
#define NEWSIDX_NEWSIDX_H

#include "newsidx/error.h"
#include "newsidx/date.h"
#include "newsidx/article.h"
#include "newsidx/ingest.h"
#include "newsidx/store.h"
#include "newsidx/query.h"
#include "newsidx/search.h"
#include "newsidx/cursor.h"

#define NX_VERSION_STRING "0.1.0"

#endif
