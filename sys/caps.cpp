#include "sys/caps.h"
