// Reserved: filled by the work on the TunTap router (issue 5).
#pragma once
