// The worker is Linux-only (SO_PEERCRED, getpwuid_r, Unix file modes); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
