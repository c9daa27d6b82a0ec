"""Department supervision: each business department watches the approval acts in its domain and raises objections to the bureau head."""
