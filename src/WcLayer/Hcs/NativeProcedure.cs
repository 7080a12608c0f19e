using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// Go's lazy DLL semantics for the imports: a missing DLL or export becomes an <see cref="HcsDllException"/> instead
/// of a crash, and nothing is called.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class NativeProcedure
{
    /// <summary>
    /// Looks the export up the way the import stub will (same assembly, so the same resolvers), before strings are
    /// converted or anything is called, as Go's <c>proc.Find()</c> does. The runtime caches neither a failed bind nor
    /// this probe, so a DLL installed later is picked up.
    /// </summary>
    internal static void Require(string dllName, string procedureName)
    {
        if (!NativeLibrary.TryLoad(dllName, typeof(NativeProcedure).Assembly, DllImportSearchPath.System32, out nint library))
        {
            throw new HcsDllException(dllName, procedureName: null, innerException: null);
        }

        // Never freed: the handle may come from a resolver that owns it, and the import stubs keep the DLL loaded for
        // the life of the process anyway (as Go's LazyDLL does).
        if (!NativeLibrary.TryGetExport(library, procedureName, out _))
        {
            throw new HcsDllException(dllName, procedureName, innerException: null);
        }
    }

    /// <summary>Calls an import; a bind failure at call time (the DLL vanished after the probe) gets the same error.</summary>
    internal static T Invoke<T>(string dllName, string procedureName, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (DllNotFoundException e)
        {
            throw new HcsDllException(dllName, procedureName: null, e);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new HcsDllException(dllName, procedureName, e);
        }
    }

    /// <summary><see cref="Require"/> then <see cref="Invoke{T}"/>.</summary>
    internal static T Call<T>(string dllName, string procedureName, Func<T> call)
    {
        Require(dllName, procedureName);
        return Invoke(dllName, procedureName, call);
    }
}
