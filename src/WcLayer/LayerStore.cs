using System.Runtime.InteropServices;
using WcLayer.Hcs;
using WcLayer.Portable;

namespace WcLayer;

/// <summary>Chooses the layer store for this machine.</summary>
public static class LayerStore
{
    private static ILayerStore? s_default;

    /// <summary>
    /// The Host Compute Service store (<see cref="HcsLayerStore"/>) on Windows when vmcompute.dll loads (the
    /// Containers feature is installed); elsewhere the portable store.
    /// </summary>
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

        return new PortableLayerStore();
    }
}
