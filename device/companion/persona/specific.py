"""The specific thing a question asks about, which a memory must be about to answer it.

Sentence similarity carries a question to a memory of the same *kind* of thing: "Did you ever have
a dog?" to "Did you have any pets? ... a ginger cat called Marmalade" (0.77, a close paraphrase
by score), "Did Grandad serve in the army?" to "What was Grandad's job?" (0.80), "Did you ever
learn to ride a bike?" to "Did you ever learn to drive?". A near topic with a different specific
thing is not an answer, however close: the cat does not tell about a dog.

So, like a relative asked about (answerable.missing_relative, which reads this table too), a
specific thing of these kinds that the question names must be named by the memory, in the same
word or one of the words listed with it: animals, the armed services, instruments, vehicles,
sports, and a few everyday subjects (food, work). The lists hold each thing's own words (a
"puppy" is a dog) and never a sibling of the same kind (a cat is not a dog); a general word
("pets") is answered by any of its members. Single-word meaning (synonyms.py) is not used here
on purpose: "dog" and "cat" are close as words, which is exactly the confusion to avoid.

Nothing here knows a persona: the lists are about how families talk about a life.
"""

from __future__ import annotations

from .words import stem

ANIMALS = "dog dogs puppy puppies pup mutt hound cat cats kitten kittens horse horses pony ponies budgie budgies " \
          "parrot canary rabbit rabbits bunny hamster tortoise goldfish chickens hens"
THING_CLASSES = (  # "asked-about words | other words that name the same thing"
    "dog dogs doggy puppy puppies pup mutt hound collie terrier spaniel labrador beagle sheepdog |",
    "cat cats kitten kittens kitty moggy tomcat |",
    "horse horses pony ponies mare stallion foal |",
    "budgie budgies budgerigar parakeet |", "parrot parrots |", "canary canaries |",
    "rabbit rabbits bunny bunnies |", "hamster hamsters |", "tortoise tortoises turtle turtles |",
    "goldfish |", "chickens hens hen rooster cockerel |",
    f"pet pets | animal animals {ANIMALS}",
    "army soldier soldiers military regiment infantry troops | enlist enlisted drafted conscripted barracks",
    "navy naval sailor sailors warship submarine |", "raf airman airmen | air-force",
    "marines marine |",
    "piano pianos |", "guitar guitars |", "violin violins fiddle |", "drum drums drummer |", "organ |",
    "trumpet trumpets |", "harmonica |", "accordion |", "banjo |", "flute |", "saxophone sax |", "cello |",
    "clarinet |", "harp |", "ukulele |", "trombone |",
    "bike bikes bicycle bicycles cycle cycling |", "motorbike motorbikes motorcycle motorcycles scooter moped |",
    "tractor tractors |", "tram trams |", "lorry lorries |", "bus buses |",
    "plane planes aeroplane aeroplanes airplane airplanes aircraft | flew flight flights fly flying",
    "sailboat sailboats yacht yachts | sail sailing sailed",
    "football | soccer", "soccer | football", "tennis |", "golf |", "cricket |", "rugby |", "baseball |",
    "basketball |", "netball |", "hockey |", "bowling |", "skiing ski |", "skating skate |", "swim swimming swam swimmer |",
    "food foods | eat eats ate eating meal meals dish dishes dinner supper lunch breakfast cook cooking recipe bake",
    "job jobs career occupation profession trade | work worked working living",
)
"""Each line: the words of one specific thing a question may ask about | other words a memory may
name it by. A question word is held to its line when it is the first (key) part."""


def class_table(lines: tuple[str, ...], normalise=stem) -> dict[str, frozenset[str]]:
    """A key word's stem -> the stems that name the same thing (its line, both parts)."""
    table: dict[str, frozenset[str]] = {}
    for line in lines:
        keys, others = line.split("|")
        words = frozenset(normalise(w) for w in f"{keys} {others}".replace("-", " ").split())
        for key in keys.split():
            table[normalise(key)] = words
    return table


THINGS = class_table(THING_CLASSES)
"""A specific thing's stem -> the stems a memory may name it by."""
