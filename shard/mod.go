package shard

// modHint tells the user what Mod can shard.
const modHint = "Mod needs an integer column"

// Mod returns an algorithm that picks node value mod n, the ShardingSphere
// MOD layout. It accepts all Go integer types; negative values map to
// ((v % n) + n) % n so the index is never negative. Any other value, including
// NULL, is an error.
func Mod() Algorithm { return modAlgorithm{} }

// modAlgorithm implements Mod.
type modAlgorithm struct{}

// Name implements Algorithm.
func (modAlgorithm) Name() string { return "mod" }

// Shard implements Algorithm.
func (modAlgorithm) Shard(value any, n int) (int, error) {
	if err := checkNodeCount("mod", n); err != nil {
		return 0, err
	}
	i, u, signed, ok := intValue(value)
	if !ok {
		return 0, newValueError("mod", value, modHint)
	}
	if signed {
		m := int64(n)
		return int(((i % m) + m) % m), nil
	}
	return int(u % uint64(n)), nil
}
