#include "sys/seccomp_filter.h"
