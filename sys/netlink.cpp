#include "sys/netlink.h"
