using System.Runtime.InteropServices;
using WcLayer.Hcs;

namespace WcLayer;

/// <summary>Chooses the layer store for this machine.</summary>
public static class LayerStore
{
    private static ILayerStore? s_default;

    /// <summary>
    /// The Host Compute Service store (<see cref="HcsLayerStore"/>) on Windows when vmcompute.dll loads (the
    /// Containers feature is installed); elsewhere the portable store.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not Windows with vmcompute.dll, and the portable store is not available yet.</exception>
    public static ILayerStore Default
    {
        get
        {
            if (s_default is null)
            {
                Interlocked.CompareExchange(ref s_default, Create(), null);
            }

            return s_default;
        }
    }

    private static ILayerStore Create()
    {
        if (OperatingSystem.IsWindows()
            && NativeLibrary.TryLoad("vmcompute.dll", typeof(LayerStore).Assembly, DllImportSearchPath.System32, out _))
        {
            // Not freed: the store's imports bind to it next.
            return new HcsLayerStore();
        }

        throw new PlatformNotSupportedException(
            "vmcompute.dll is not available (not Windows, or the Containers feature is not installed), and the portable layer store is not available yet.");
    }
}
