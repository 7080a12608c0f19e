namespace WcLayer.Portable;

/// <summary>Several layer locks taken in order (a layer, then its parents) and released together in reverse.</summary>
internal sealed class LayerLockSet : IDisposable
{
    private readonly List<LayerLock> _locks = [];

    /// <summary>Takes the locks one by one; if one cannot be had, those already taken are released.</summary>
    public static LayerLockSet Acquire(IEnumerable<(string Path, bool Shared)> layers, string operation, TimeSpan timeout)
    {
        var set = new LayerLockSet();
        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string path, bool shared) in layers)
            {
                if (seen.Add(LayerRemoval.Normalize(path)))
                {
                    set._locks.Add(LayerLock.Acquire(path, operation, timeout, shared));
                }
            }

            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        for (int i = _locks.Count - 1; i >= 0; i--)
        {
            _locks[i].Dispose();
        }

        _locks.Clear();
    }
}
