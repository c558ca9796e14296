// The AppHost tests read /proc and start processes through setsid/setpriv: they are Linux tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
