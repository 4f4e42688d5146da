#include "sys/identity.h"
