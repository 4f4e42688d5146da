// Reserved: filled by the work on the jail (issue 4).
#pragma once
