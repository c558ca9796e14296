// The AppHost runs children through Linux's setsid/setpriv and reads /proc: its tests are Linux tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
