using System.Globalization;

namespace WcLayer.Hcs;

/// <summary>
/// A native DLL or one of its exports is missing: Go's lazy-load <c>DLLError</c>
/// (<c>Failed to load vmcompute.dll: …</c>, <c>Failed to find ImportLayer procedure in vmcompute.dll: …</c>).
/// Raised instead of a crash, before anything is called; hcsshim passes it through without the <c>HcsError</c> prefix.
/// </summary>
public sealed class HcsDllException : HcsException
{
    internal HcsDllException(string dllName, string? procedureName, Exception? innerException)
        : base(
            FormatMessage(dllName, procedureName),
            procedureName ?? dllName,
            procedureName is null ? Win32Error.ModNotFound : Win32Error.ProcNotFound,
            path: null,
            innerException)
    {
        DllName = dllName;
        ProcedureName = procedureName;
    }

    /// <summary>The DLL, e.g. <c>vmcompute.dll</c>.</summary>
    public string DllName { get; }

    /// <summary>The missing export, or <see langword="null"/> when the DLL itself did not load.</summary>
    public string? ProcedureName { get; }

    private static string FormatMessage(string dllName, string? procedureName) => procedureName is null
        ? string.Create(CultureInfo.InvariantCulture, $"Failed to load {dllName}: {Win32Error.GetMessage(Win32Error.ModNotFound)}")
        : string.Create(CultureInfo.InvariantCulture, $"Failed to find {procedureName} procedure in {dllName}: {Win32Error.GetMessage(Win32Error.ProcNotFound)}");
}
