package seq

// Generator hands out unique int64 ids. *Snowflake and *Segment implement
// it; a shard.Table's KeyGenerator accepts any type with this method.
type Generator interface {
	// NextID returns a new id, or an error if none can be handed out.
	NextID() (int64, error)
}

var (
	_ Generator = (*Snowflake)(nil)
	_ Generator = (*Segment)(nil)
)
