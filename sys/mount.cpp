#include "sys/mount.h"
