using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// The native <c>WC_LAYER_DESCRIPTOR</c> array for a parent list (hcsshim's <c>layerPathsToDescriptors</c>): in the
/// caller's order, id = <c>LayerID(path)</c>, flags 0, the path exactly as given. Owns the native memory.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class DescriptorArray : IDisposable
{
    private WcLayerDescriptor* _items;

    private DescriptorArray(int count)
    {
        Count = (uint)count;
        if (count > 0)
        {
            _items = (WcLayerDescriptor*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(WcLayerDescriptor));
        }
    }

    /// <summary>The array, or NULL for an empty list.</summary>
    internal WcLayerDescriptor* Pointer => _items;

    internal uint Count { get; }

    /// <summary>Builds the array; <paramref name="layerId"/> is the store's traced <c>LayerId</c>.</summary>
    /// <param name="operation">The operation title, for the error of a path containing NUL.</param>
    /// <param name="parentLayerPaths">Immediate parent first, base last.</param>
    /// <param name="layerId">Computes a layer's id.</param>
    internal static DescriptorArray Create(string operation, IReadOnlyList<string> parentLayerPaths, Func<string, Guid> layerId)
    {
        var array = new DescriptorArray(parentLayerPaths.Count);
        try
        {
            for (int i = 0; i < parentLayerPaths.Count; i++)
            {
                string path = parentLayerPaths[i];
                array._items[i].LayerId = layerId(path);
                if (path.Contains('\0', StringComparison.Ordinal))
                {
                    // Go's UTF16PtrFromString gives EINVAL here, which hcsshim returns bare (not as an HcsError), before any call.
                    throw new HcsException(SystemMessage.Of(HcsErrors.GoInvalidArgument), operation, HcsErrors.GoInvalidArgument, path, innerException: null);
                }

                array._items[i].Path = Marshal.StringToHGlobalUni(path);
            }

            return array;
        }
        catch
        {
            array.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_items is null)
        {
            return;
        }

        for (int i = 0; i < Count; i++)
        {
            Marshal.FreeHGlobal(_items[i].Path);
            _items[i].Path = 0;
        }

        NativeMemory.Free(_items);
        _items = null;
    }
}
