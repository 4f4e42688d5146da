#include "sys/tun.h"
