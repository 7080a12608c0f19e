using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// vmcompute's <c>DriverInfo</c>: Flavour 1 (FilterDriver) and an empty, non-NULL HomeDir, so every layer id passed
/// with it is a full folder path. x64: 16 bytes (4 + 4 padding + 8).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
[SupportedOSPlatform("windows")]
internal struct DriverInfo
{
    internal int Flavour;
    internal nint HomeDir;

    /// <summary>hcsshim's process-wide <c>stdDriverInfo</c>; its empty string is allocated once and never freed.</summary>
    internal static readonly DriverInfo Standard = new() { Flavour = 1, HomeDir = Marshal.StringToHGlobalUni(string.Empty) };
}
