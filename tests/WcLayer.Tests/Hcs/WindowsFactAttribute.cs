using System.Runtime.InteropServices;

namespace WcLayer.Tests.Hcs;

/// <summary>Why a real-HCS test cannot run here, or null when it can.</summary>
internal static class HcsHost
{
    internal const string BaseLayerVariable = "WCLAYER_TEST_BASE_LAYER";

    internal static string? SkipReason(bool needsBaseLayer)
    {
        if (!OperatingSystem.IsWindows())
        {
            return "needs a Windows host with the Containers feature (vmcompute.dll); see docs/windows-testing.md";
        }

        if (!NativeLibrary.TryLoad("vmcompute.dll", typeof(HcsHost).Assembly, DllImportSearchPath.System32, out _))
        {
            return "vmcompute.dll did not load: enable the Containers feature (see docs/windows-testing.md)";
        }

        if (needsBaseLayer && !Directory.Exists(Environment.GetEnvironmentVariable(BaseLayerVariable)))
        {
            return $"set {BaseLayerVariable} to an existing Windows base layer folder (see docs/windows-testing.md)";
        }

        return null;
    }
}

/// <summary>A fact that runs only on a Windows host where vmcompute.dll loads, and is skipped with the reason elsewhere.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute(bool needsBaseLayer = false)
    {
        if (HcsHost.SkipReason(needsBaseLayer) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that runs only on a Windows host where vmcompute.dll loads.</summary>
public sealed class WindowsTheoryAttribute : TheoryAttribute
{
    public WindowsTheoryAttribute()
    {
        if (HcsHost.SkipReason(needsBaseLayer: false) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// A contract test against the native double. Skipped on Windows: there the real vmcompute.dll, kernel32.dll and
/// advapi32.dll resolve first, and the double would never be called (the real HCS would be).
/// </summary>
public sealed class ContractFactAttribute : FactAttribute
{
    public ContractFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "contract tests use a native double that only replaces vmcompute.dll where none exists (not on Windows)";
        }
    }
}

/// <summary>The theory form of <see cref="ContractFactAttribute"/>.</summary>
public sealed class ContractTheoryAttribute : TheoryAttribute
{
    public ContractTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "contract tests use a native double that only replaces vmcompute.dll where none exists (not on Windows)";
        }
    }
}
