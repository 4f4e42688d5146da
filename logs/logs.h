// The log pipeline (issue 7): capture helpers, encoders, loggers, the in-memory ring.
// See docs/logging.md.
#pragma once

#include "logs/encoder.h"
#include "logs/line_splitter.h"
#include "logs/pipeline.h"
#include "logs/record.h"
#include "logs/ring.h"
